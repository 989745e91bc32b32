"""The public pages `callsheet serve` answers: a small Starlette app over the actions (never the tui)."""
