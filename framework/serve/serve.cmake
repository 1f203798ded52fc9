# `audify serve`'s pieces that are not plain sources: cpp-httplib and the web page.
#
# Debian builds cpp-httplib as a shared library, so code that includes <httplib.h> must use the
# compile definitions of its .pc file (they change class layouts). They go on the sources that
# include it, not on all of audify_core; tests that speak HTTP link audify_httplib.
pkg_check_modules(CPPHTTPLIB REQUIRED cpp-httplib)
add_library(audify_httplib INTERFACE)
target_compile_options(audify_httplib INTERFACE ${CPPHTTPLIB_CFLAGS})
target_link_libraries(audify_httplib INTERFACE ${CPPHTTPLIB_LINK_LIBRARIES})
target_link_libraries(audify_core PRIVATE ${CPPHTTPLIB_LINK_LIBRARIES})
set(AUDIFY_HTTPLIB_SOURCES http_server.cpp upload_reader.cpp serve_bench.cpp)
list(TRANSFORM AUDIFY_HTTPLIB_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
set_source_files_properties(${AUDIFY_HTTPLIB_SOURCES} PROPERTIES COMPILE_OPTIONS "${CPPHTTPLIB_CFLAGS}")

# The page is a real HTML file, embedded as a string at configure time; configure_file tracks its
# template only, so the page itself is made a configure dependency (editing it re-runs CMake).
file(READ ${CMAKE_CURRENT_LIST_DIR}/page/index.html AUDIFY_INDEX_HTML)
string(FIND "${AUDIFY_INDEX_HTML}" ")audify_page\"" AUDIFY_PAGE_DELIMITER_AT)
if(NOT AUDIFY_PAGE_DELIMITER_AT EQUAL -1)
  message(FATAL_ERROR "serve/page/index.html contains the raw-string delimiter )audify_page\"")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/page/index_html.h.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/serve/index_html.h @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/page/index.html)
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/http_server.cpp PROPERTIES
  INCLUDE_DIRECTORIES ${CMAKE_CURRENT_BINARY_DIR}/generated)
