"""The register's domain rules, each in the module whose name says it, each written once.

Every door (the API, the pages, the admin, the import, the commands, matching and notifications)
asks these modules rather than restating a rule. `eligibility` is pure Python and NumPy, so that
matching's core, which imports no Django, shares it with the placement service.
"""
