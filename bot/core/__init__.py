"""The plan and progress core: plans (YAML → typed Plan, plans in the database), district and
province figures, the pace forecast."""
