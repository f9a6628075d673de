import pytest

from plans.services import source_data_load


@pytest.fixture
def source_data(db):
    """The shipped source data: 65 jurisdictions, 4 plans, 11 milestones, 7 observations."""
    source_data_load()
