"""The bounded jinja2 sandbox: a budget of steps, time and sizes for each render."""
