"""Response to treatment: trend since baseline, clearance, flags, relapse (pure)."""

from isotrack.engines.response.report import ResponseReport, evaluate_response

__all__ = ["ResponseReport", "evaluate_response"]
