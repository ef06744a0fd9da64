# chanlings in a container: the workbook for a learner (`make run`) and the
# grading image for PrairieLearn's external grader or any container runner
# (dist/prairielearn/grade).  Debian, then the README's two commands: `make`
# (its scripts/deps.sh installs the Debian packages as root) and, as the
# image's check, the workbook's own verify of every exercise.
#
#   docker build -t chanlings .
#   docker run -it --rm chanlings                 # a learner: make run
#   docker run --rm -v "$PWD/student:/grade/student:ro" -v "$PWD/results:/grade/results" \
#       chanlings /chanlings/dist/prairielearn/grade 3
FROM debian:bookworm
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        make gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY . /chanlings
WORKDIR /chanlings
# make runs scripts/deps.sh first: as root it installs what is missing
# (pkg-config, patch, Check, ncursesw, libcmark, json-c, bubblewrap, libseccomp).
RUN apt-get update && make -j"$(nproc)" && rm -rf /var/lib/apt/lists/* \
    && ./build/chanlings verify --shipped \
    && chmod -R go-rwx solutions graders
CMD ["make", "run"]
