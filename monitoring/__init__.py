"""Monitoring the reform: care-reform indicators month by month, where families are missing."""
