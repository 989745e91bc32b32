"""The outbox: queueing messages, claiming and recording sends, back-off and sent logs."""
