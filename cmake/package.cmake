# The Debian package: `cpack -G DEB` in the build directory (after building) writes
# presence_<version>_<arch>.deb with presenced, presencectl, the libraries, their headers and
# CMake package, the systemd unit and the default config (packaging/).
#
# The unit and the config go to absolute paths (/usr/lib/systemd/system, /etc/presence), so they
# are a component left out of a plain `cmake --install` (which may target any prefix) and put
# into the package by CPACK_INSTALL_CMAKE_PROJECTS below.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/presenced.service
  DESTINATION /usr/lib/systemd/system COMPONENT service EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/presenced.json
  DESTINATION /etc/presence COMPONENT service EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION /usr/share/doc/presence COMPONENT service EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME presence)
set(CPACK_PACKAGE_VENDOR "presence")
set(CPACK_PACKAGE_CONTACT "presence maintainers <presence@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Slack- and Rocket.Chat-compatible presence server with a RocksDB event log")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS
  "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/"
  "${PROJECT_BINARY_DIR};${PROJECT_NAME};service;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/postinst
  ${PROJECT_SOURCE_DIR}/packaging/prerm
  ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# `conffiles` lists /etc/presence/presenced.json: dpkg keeps an edited copy across upgrades.
include(CPack)
