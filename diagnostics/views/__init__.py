"""Pages of the diagnostics app, by area: journey maps, scoring, plan."""
