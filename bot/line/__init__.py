"""The LINE side: the one client that talks to LINE (``client``), the plain messages handlers
hand it (``messages``), Flex builders, the rich menu, and the fake LINE server used in tests and
staging together with LINE's own API description (``spec``)."""
