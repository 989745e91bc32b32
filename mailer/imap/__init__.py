"""Reading replies over IMAP: the client, its settings, the sync and parsing inbound mail."""
