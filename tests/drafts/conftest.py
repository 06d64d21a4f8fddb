from tests.libreoffice import libreoffice  # noqa: F401 - the fixture, for the tests here
