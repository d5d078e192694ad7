# SPDX-License-Identifier: Apache-2.0
# The Debian package, built by CPack: `cmake --build build --target package`
# (or `cpack -G DEB` in the build directory) writes build/nettoll_VERSION_ARCH.deb
# with everything the install rules put under /usr, /etc and /lib.

set(NETTOLL_PACKAGE_MAINTAINER "nettoll maintainers <nettoll@localhost>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nettoll)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${NETTOLL_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "bandwidth manager for thin and metered links")
# The summary is the Description's first line; this is the extended part.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "nettoll caps the total download and upload of the active
interface (followed as routes change, VPN policy routing included), limits and
prioritizes processes, and puts token bucket limits on other interfaces. It
drives the kernel directly through netlink and eBPF, and loads TrafficToll
configs. The service sets no limits until /etc/nettoll/nettoll.yaml asks.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# nettoll_0.1.0_amd64.deb, the name the README's `apt install ./build/nettoll_*.deb` expects.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends computed by dpkg-shlibdeps (dpkg-dev) from the binary's libraries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Beyond the libraries: the dashboard's charts, served from
# /usr/share/javascript/chart.js/ (no copy in the package, no CDN).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libjs-chart.js")
# The build is RelWithDebInfo; the package carries no debug info.
set(CPACK_STRIP_FILES ON)
# Relative install destinations land under /usr. The DEB generator installs
# into its staging root through DESTDIR, so the absolute ones (/etc,
# /lib/systemd) land in the package too.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

# CPack marks nothing as a conffile by itself (dh_installdeb would mark all
# of /etc): debian/conffiles says so explicitly. The maintainer scripts enable
# and start the unit (see debian/postinst for why starting is safe).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm)
# 0644 for conffiles, 0755 for the scripts, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
