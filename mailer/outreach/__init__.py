"""Outreach over time: planning invitations, sequences, retiming and what is due."""
