# Writes OUTPUT, a C++ file holding the man page INPUT as one string, so that
# `authctl help exit-codes | environment | files` print the man page's own sections
# (one source: they cannot drift). Run at build time whenever the man page changes.
file(READ "${INPUT}" page)
string(FIND "${page}" ")authctlman\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )authctlman\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from the configured man/authctl.1 by cmake/embed_man.cmake: do not edit.\n"
  "namespace authctl::cli {\nextern const char kManPage[];\n"
  "const char kManPage[] = R\"authctlman(${page})authctlman\";\n}  // namespace authctl::cli\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
