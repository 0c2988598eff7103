"""Co-planning of AI load and the grid: scenarios, the planning pipeline, API-submitted plan jobs, the site catalog."""
