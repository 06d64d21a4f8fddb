import pytest

from tests.libreoffice import LibreOffice


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    return LibreOffice(tmp_path_factory.mktemp("libreoffice"))
