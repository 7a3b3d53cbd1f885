# Writes OUTPUT, INPUT compressed with `gzip -9n` (no file name, no time stamp: the same
# bytes every build), as Debian wants man pages and changelogs.
get_filename_component(dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${GZIP} -9n -c ${INPUT} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "gzip -9n ${INPUT} failed: ${rc}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
