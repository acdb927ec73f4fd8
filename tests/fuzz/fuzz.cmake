# Run one libFuzzer target (cmake -P). MODE=fuzz fuzzes for SECONDS over a
# fresh copy of corpus/TARGET in WORK (the committed corpus is never
# written to; new inputs and any crash land in WORK). MODE=replay runs the
# target once over every committed seed, every regressions/TARGET input
# and a few generated huge inputs too big to commit.
cmake_minimum_required(VERSION 3.25)

set(seeds ${SRC}/corpus/${TARGET})
set(regress ${SRC}/regressions/${TARGET})

if(MODE STREQUAL "fuzz")
  file(REMOVE_RECURSE ${WORK}/corpus)
  file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/crashes)
  file(COPY ${seeds}/ DESTINATION ${WORK}/corpus)
  if(EXISTS ${regress})
    file(COPY ${regress}/ DESTINATION ${WORK}/corpus)
  endif()
  set(dict)
  if(EXISTS ${SRC}/${TARGET}.dict)
    set(dict -dict=${SRC}/${TARGET}.dict)
  endif()
  execute_process(
    COMMAND ${FUZZER} -max_total_time=${SECONDS} -rss_limit_mb=2048
            -timeout=10 -max_len=65536 -print_final_stats=1
            -artifact_prefix=${WORK}/crashes/ ${dict} ${WORK}/corpus
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fuzz_${TARGET} failed (${rc}); the input is in "
                        "${WORK}/crashes/: add it to ${regress}/")
  endif()
elseif(MODE STREQUAL "replay")
  # Inputs too big for the repository, written fresh each run.
  set(gen ${WORK}/generated)
  file(REMOVE_RECURSE ${gen})
  file(MAKE_DIRECTORY ${gen})
  string(REPEAT "[" 200000 deep)
  file(WRITE ${gen}/deep-arrays "{\"python\": ${deep}")
  string(REPEAT "{\"a\":" 200000 deep)
  file(WRITE ${gen}/deep-objects "${deep}")
  string(REPEAT "x" 2100000 big)
  file(WRITE ${gen}/huge-string "{\"python\": \"${big}\"}")
  file(WRITE ${gen}/huge-line "version = ${big}\n")
  string(REPEAT "a/../" 300000 walk)
  file(WRITE ${gen}/huge-path "/${walk}${big}")
  string(REPEAT "\"k\": 1, " 150000 keys)
  file(WRITE ${gen}/many-keys "{${keys}\"k\": 1}")
  string(REPEAT "-W\nx\n" 100000 args)
  file(WRITE ${gen}/many-args "${args}")

  file(GLOB inputs ${seeds}/* ${regress}/* ${gen}/*)
  list(FILTER inputs EXCLUDE REGEX "/(README|\\.gitkeep)[^/]*$")
  execute_process(
    COMMAND ${FUZZER} -rss_limit_mb=2048 -timeout=30 ${inputs}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fuzz_${TARGET} replay failed (${rc})")
  endif()
else()
  message(FATAL_ERROR "MODE must be fuzz or replay")
endif()
