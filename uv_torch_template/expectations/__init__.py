"""What each answer set must lock to, computed in Python independently of the template's Jinja."""
