# `audify dataset fetch`'s libraries: libcurl (downloads), libarchive (extraction), libcrypto (md5).
# GLOBAL, so the tests can link libarchive to build their archives.
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET GLOBAL libcurl)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET GLOBAL libarchive)
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET GLOBAL libcrypto)
target_link_libraries(audify_core PRIVATE PkgConfig::LIBCURL PkgConfig::LIBARCHIVE PkgConfig::LIBCRYPTO)
