# shellcheck shell=bash
# lab/apt.sh -- sourced by lab/run and lab/qemu/build (bash): a private apt
# configuration for one Debian suite and architecture, kept in a folder of
# the lab cache, so that packages of other suites and architectures can be
# downloaded without touching the system's apt sources. The callers define
# say and die.

# Prints "URI CODENAME" of the host's first Debian archive.
lab_host_debian_source() {
    # shellcheck disable=SC2016  # apt's own $(FIELD) syntax
    apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 'Label: Debian' 'Created-By: Packages' |
        awk 'NF == 2 && $2 !~ /-/ && !seen++ { print }'
}

# lab_apt_setup DIR SUITE ARCH [deb-src]: sets APT_OPTS, the apt-get and
# apt-cache options that use DIR for SUITE's ARCH packages (and their
# sources with deb-src), and refreshes its lists once a day.
lab_apt_setup() {
    local d=$1 suite=$2 arch=$3 src=${4:-} uri out
    read -r uri _ < <(lab_host_debian_source) || true
    [[ -n ${uri:-} ]] || die "no Debian archive found in the host's apt sources (apt-get indextargets)"
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d" "$d/preferences.d"
    {
        printf 'deb %s %s main\n' "$uri" "$suite"
        [[ $src != deb-src ]] || printf 'deb-src %s %s main\n' "$uri" "$suite"
    } > "$d/sources.list.new"
    if ! cmp -s "$d/sources.list.new" "$d/sources.list"; then
        mv "$d/sources.list.new" "$d/sources.list"
        rm -f "$d/updated"
    else
        rm -f "$d/sources.list.new"
    fi
    [[ -e $d/status ]] || : > "$d/status"
    APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/sources.list.d"
              -o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/preferences.d"
              -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o "Dir::State::Status=$d/status"
              -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
              -o Debug::NoLocking=true)
    # as root apt would download as _apt, which cannot write into the cache
    ((EUID)) || APT_OPTS+=(-o APT::Sandbox::User=root)
    if [[ ! -e $d/updated || -n $(find "$d/updated" -mmin +1440) ]]; then
        say "updating apt lists for $suite ($arch${src:+, sources}) ..."
        if ! out=$(apt-get "${APT_OPTS[@]}" -q update 2>&1); then
            printf '%s\n' "$out" >&2
            die "apt-get update for $suite ($arch) failed (output above)"
        fi
        touch "$d/updated"
    fi
}
