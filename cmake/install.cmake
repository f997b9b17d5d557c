# `cmake --install` and `cpack -G DEB`: where each shipped file goes (GNU
# layout, so a prefix of /usr gives Debian's paths) and what the package
# declares. Included from the top-level CMakeLists.txt after the pgshape target.
include(GNUInstallDirs)

# The man page and completions come from the built binary, so they are
# generated at build time (part of `all`, not of the pgshape target alone).
set(PGSHAPE_DOCS_DIR ${CMAKE_CURRENT_BINARY_DIR}/docs)
set(PGSHAPE_DOCS ${PGSHAPE_DOCS_DIR}/pgshape.1.gz ${PGSHAPE_DOCS_DIR}/pgshape.bash
                 ${PGSHAPE_DOCS_DIR}/_pgshape)
add_custom_command(
  OUTPUT ${PGSHAPE_DOCS} ${PGSHAPE_DOCS_DIR}/pgshape.1
  COMMAND ${CMAKE_COMMAND} -DPGSHAPE=$<TARGET_FILE:pgshape> -DOUT=${PGSHAPE_DOCS_DIR}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/generate_docs.cmake
  DEPENDS pgshape cmake/generate_docs.cmake
  COMMENT "Generating the man page and shell completion from pgshape's option table")
add_custom_target(pgshape_docs ALL DEPENDS ${PGSHAPE_DOCS})

install(TARGETS pgshape RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PGSHAPE_DOCS_DIR}/pgshape.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PGSHAPE_DOCS_DIR}/pgshape.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME pgshape)
install(FILES ${PGSHAPE_DOCS_DIR}/_pgshape DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
# Profiles next to the sql/ folder they name (a profile's files are looked up
# in its folder and the folder above), so
# `pgshape explain /usr/share/pgshape/profiles/shop.yaml` works as installed.
install(DIRECTORY profiles sql examples DESTINATION ${CMAKE_INSTALL_DATADIR}/pgshape)
install(FILES README.md docs/architecture.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package: pgshape_<version>_<arch>.deb. Depends from the binary's
# shared libraries (dpkg-shlibdeps: libpqxx-6.4, libpq5, libyaml-cpp0.7,
# libfmt9, libstdc++6, libc6); the embedded mode runs initdb and pg_ctl, so the
# server is recommended, not required (with --dsn or DATABASE_URL it is not needed).
set(CPACK_PACKAGE_NAME pgshape)
set(CPACK_PACKAGE_VENDOR pgshape)
set(CPACK_PACKAGE_CONTACT "pgshape maintainers <maintainers@users.noreply.r-seed-53ded58f.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "production-shaped synthetic data for PostgreSQL, and query plans compared across scales")
set(CPACK_PACKAGE_DESCRIPTION
    "pgshape fills PostgreSQL with synthetic data shaped like production (row counts, skew,\n\
correlations, foreign-key fan-out) from a YAML profile, deterministic per seed, captures\n\
EXPLAIN plans at several scale points and reports where a plan changed shape.")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-15-hypopg, man-db, bash-completion")
include(CPack)
