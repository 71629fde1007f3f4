"""Deterministic demo dataset: a medical-device distributor selling to hospitals in China."""

from crm.demo.generate import DemoData, generate_demo
from crm.demo.seed import SeedReport, assign_demo_owners, is_seeded, seed_demo

__all__ = [
    "DemoData",
    "SeedReport",
    "assign_demo_owners",
    "generate_demo",
    "is_seeded",
    "seed_demo",
]
