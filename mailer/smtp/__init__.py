"""Sending over SMTP: pooled connections, pipelined exchanges, message bytes, failures."""
