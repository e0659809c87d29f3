# LendexDeps.cmake: finds lendex's libraries through pkg-config and, when any is missing, stops
# with ONE message naming every missing library's Debian package and the command that installs
# them (pkg-config's own message names one pkg-config module at a time, not a package).
#
# lx_find_deps() defines PkgConfig::CURL, ::JANSSON, ::SECP256K1, ::LMDB and, when tests are
# built (BUILD_TESTING), ::CMOCKA. The table below is the one place that maps a pkg-config
# module to its Debian package; scripts/deps.sh keeps the same list for the scripts.
set(LX_DEPS
    "CURL:libcurl:libcurl4-openssl-dev"
    "JANSSON:jansson:libjansson-dev"
    "SECP256K1:libsecp256k1:libsecp256k1-dev"
    "LMDB:lmdb:liblmdb-dev")
set(LX_TEST_DEPS "CMOCKA:cmocka:libcmocka-dev")

macro(lx_find_deps)
  find_package(PkgConfig QUIET)
  set(_lx_missing "")
  set(_lx_deps ${LX_DEPS})
  if(BUILD_TESTING)
    list(APPEND _lx_deps ${LX_TEST_DEPS})
  endif()
  if(NOT PKG_CONFIG_FOUND)
    list(APPEND _lx_missing pkg-config)
  endif()
  foreach(_d ${_lx_deps})
    string(REPLACE ":" ";" _f "${_d}")
    list(GET _f 0 _var)
    list(GET _f 1 _mod)
    list(GET _f 2 _pkg)
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(${_var} QUIET IMPORTED_TARGET ${_mod})
    endif()
    if(NOT ${_var}_FOUND)
      list(APPEND _lx_missing ${_pkg})
    endif()
  endforeach()
  if(_lx_missing)
    list(JOIN _lx_missing " " _lx_list)
    # NOTICE prints verbatim (FATAL_ERROR would re-wrap the lines); then stop
    message(NOTICE
      "lendex: missing Debian packages: ${_lx_list}\n"
      "install them with: sudo apt-get install ${_lx_list}\n"
      "(scripts/test.sh and scripts/demo.sh install them; -DBUILD_TESTING=OFF needs no "
      "libcmocka-dev)")
    message(FATAL_ERROR "lendex: cannot configure without the packages above")
  endif()
endmacro()
