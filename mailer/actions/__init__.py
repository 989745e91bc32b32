"""The use cases: one function per thing a person can do, called alike by every front end.

Each action owns its whole consequence: one `store.write()` transaction, the role check
inside it, the domain calls, the emails it causes, the audit event, and the dispatcher's
wake-up once the transaction has committed. It returns an `Outcome` whose `sentence` a
front end prints or notifies as it is. The click commands, the app's screens and the web
pages only parse input, call one action and show its result; `tests/test_layering.py`
keeps write transactions and role checks out of them.
"""
