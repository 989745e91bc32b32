"""Email templates: the tokens they see, rendering them, and drafting outreach."""
