"""REST API of the diagnostics app (one APIView per operation), by area: maps, scoring, plan."""
