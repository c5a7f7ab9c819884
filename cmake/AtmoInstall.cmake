# Install rules and the Debian package (CPack DEB; docs/operations.md says why not debian/ + dh).
include(GNUInstallDirs)

# The venue file a fresh install starts with: the demo venue, its profiles taken from the
# package's folder and from /etc/atmo/profiles (the venue's own).
file(READ ${PROJECT_SOURCE_DIR}/config/venues/demo.yaml atmo_demo_venue)
string(REPLACE "profile_dirs: [../profiles]" "profile_dirs: [/usr/share/atmo/profiles, profiles]"
       atmo_installed_venue "${atmo_demo_venue}")
if(atmo_installed_venue STREQUAL atmo_demo_venue)
  message(FATAL_ERROR "config/venues/demo.yaml: profile_dirs line changed; update cmake/AtmoInstall.cmake")
endif()
file(WRITE ${PROJECT_BINARY_DIR}/packaging/venue.yaml "${atmo_installed_venue}")
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles "/etc/atmo/venue.yaml\n")
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging/empty)

install(TARGETS atmo RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_BINARY_DIR}/packaging/venue.yaml DESTINATION /etc/atmo)
install(DIRECTORY ${PROJECT_BINARY_DIR}/packaging/empty/ DESTINATION /etc/atmo/profiles)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/atmo/profiles
        FILES_MATCHING PATTERN "*.yaml")
install(FILES ${PROJECT_SOURCE_DIR}/config/venues/demo.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/atmo/examples)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/atmo.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/sysusers.conf DESTINATION lib/sysusers.d RENAME atmo.conf)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/cli.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME atmo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "atmo maintainers <atmo@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "keeps a spa's sensory atmosphere on standard\n atmo drives lights, scent and climate over Modbus and soundscapes through PortAudio,\n records what sensors measure and reports departures from the venue's standard.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/packaging/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/postinst
    ${PROJECT_SOURCE_DIR}/packaging/prerm
    ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
