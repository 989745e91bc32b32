"""callsheet's mail layer: templates, outbox dispatch over SMTP, IMAP sync, scheduling."""
