"""Imports every knowledge module that registers an extra section, so loading sees them all."""

from __future__ import annotations
