"""The app's business rules, in plain Python.

Nothing in this package imports frappe: the rules are decided here from plain facts and
tested everywhere; DocType controllers and hooks gather the facts from the database and apply
the decisions.
"""
