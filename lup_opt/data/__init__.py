"""Validated scenario -> model data (numpy index and coefficient arrays)."""

from lup_opt.data.model_data import ModelData, build_model_data

__all__ = ["ModelData", "build_model_data"]
