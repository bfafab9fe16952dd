"""Validated scenario -> model data (numpy index and coefficient arrays). The model data of a
scenario is built by ``lup_opt.families.build_model_data``: the shared arrays here, then each
constraint family's own data."""

from lup_opt.data.model_data import ModelData

__all__ = ["ModelData"]
