"""The dispatcher: claiming due mail, K sending workers, pacing, retries and progress."""
