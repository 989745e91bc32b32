"""Pure outreach rules: send windows, DST-correct send times, sequence and planning rules; no I/O."""
