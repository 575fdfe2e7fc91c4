"""Run: parameterised notebooks executed per unit and year (engines, executors) and turned into HTML."""
