"""Measure 11: read and validate employer survey forms (survey-format.md).

>>> from forecast.survey import read_surveys, SurveyData, validate_command
"""

from forecast.survey.reader import read_surveys
from forecast.survey.report import SurveyData
from forecast.survey.validate import validate_command

__all__ = ["read_surveys", "SurveyData", "validate_command"]
