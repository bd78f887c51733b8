"""CDS Hooks 2.0: request and card models, the services isotrack offers, pure card building.

Nothing here reads the store or the clock: the service layer hands in the course, the date
and the links; the API door verifies the client's JWT before anything here runs.
"""
