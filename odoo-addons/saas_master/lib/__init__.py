"""Plain Python helpers of saas_master: no models, no ORM.

Imported by the models and controllers that need them.
"""
