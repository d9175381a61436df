"""ARM templates: the JSON reader with positions, the expression evaluator, scale sets a template deploys."""
