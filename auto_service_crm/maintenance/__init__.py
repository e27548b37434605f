"""Maintenance invitations (issue 11): the daily job, its defaults and its Notifications."""
