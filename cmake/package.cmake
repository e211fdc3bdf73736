# The Debian package (issue 16): `cpack -G DEB` in a release build folder packs the isupgw binary (stripped),
# its systemd unit, /etc/isupgw/isupgw.yaml (a conffile: the embedded default), logrotate, the man page
# isupgw(8) and the example configurations. CPack rather than debian/ + dpkg-buildpackage: it packs what the
# release build already compiled (seconds in CI, where dpkg-buildpackage would build the tree once more on
# two shared cores) and lintian finds no error in it (packaging/ holds what debhelper would have generated:
# maintainer scripts, conffiles, copyright, changelog). tests/integration/test_debian_package.py is the check.
set(pkg ${PROJECT_SOURCE_DIR}/packaging)

# Debian wants the man page and the changelog compressed with gzip -9n (no name, no time stamp: reproducible).
# Made at configure time; editing either file re-runs the configure step.
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/packaging)
foreach(f isupgw.8 changelog.Debian)
  execute_process(COMMAND gzip -9nc ${pkg}/${f} OUTPUT_FILE ${CMAKE_BINARY_DIR}/packaging/${f}.gz COMMAND_ERROR_IS_FATAL ANY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${pkg}/${f})
endforeach()

install(TARGETS isupgw RUNTIME DESTINATION bin)
install(FILES ${CMAKE_BINARY_DIR}/packaging/isupgw.8.gz DESTINATION share/man/man8)
install(FILES ${pkg}/copyright DESTINATION share/doc/isupgw)
install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz DESTINATION share/doc/isupgw)
file(GLOB examples ${PROJECT_SOURCE_DIR}/conf/*.yaml)
install(FILES ${examples} DESTINATION share/doc/isupgw/examples)
install(FILES ${PROJECT_SOURCE_DIR}/conf/default.yaml DESTINATION /etc/isupgw RENAME isupgw.yaml)
install(FILES ${pkg}/isupgw.logrotate DESTINATION /etc/logrotate.d RENAME isupgw)
install(FILES ${pkg}/isupgw.service DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME isupgw)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "isupgw maintainers <maintainers@users.noreply.h-seed-ae728b65.example>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "SIP <-> SS7 ISUP signalling gateway\n"
    "isupgw translates between SIP dialogs and ISUP calls carried over SIGTRAN\n"
    "(M3UA, or M2PA with MTP3), with SIP-I (Q.1912.5) and SIP-T (RFC 3372)\n"
    "encapsulation, and controls media gateways over MGCP.\n"
    "\n"
    "The package runs it as a systemd service under its own system user.")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${pkg}/conffiles ${pkg}/postinst ${pkg}/prerm ${pkg}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
    WORLD_READ WORLD_EXECUTE)
include(CPack)
