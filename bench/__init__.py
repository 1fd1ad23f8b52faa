"""`make bench`: speed and scale figures on PostgreSQL with a seeded register. See README, "Performance"."""
