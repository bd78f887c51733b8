"""Pharmacokinetics of isotretinoin and 4-oxo-isotretinoin: closed forms, for explanation (pure).

Imports numpy; callers that must start fast import this package inside the function using it.
"""
