# shellcheck shell=bash
# python-bundle.sh -- sourced by run.sh, for a boot with a job that has a needs-python marker
# (tests/e2e/deploy/): adds to the initramfs root ${R} what Ansible needs on a controller and on
# its hosts, taken from this machine: Debian's python3.11 and its standard library (without test
# suites, build files and what nothing here imports), ansible-core and its dependencies from the
# project venv's site-packages (LDRC_PYTHON's), ssh, sshd and ssh-keygen with their libraries,
# the sshd privilege-separation user. Uses copy_bin and PY from run.sh. Host keys are made in the
# guest (per host), never here.
PB_SITE=$("${PY}" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
PB_PYVER=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[[ ${PB_PYVER} == "$("${PY}" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" ]] || {
  echo "run.sh: /usr/bin/python3 is ${PB_PYVER}, the venv's Python is not: its compiled modules would not load" >&2
  exit 2
}
copy_bin "$(readlink -f /usr/bin/python3)"
ln -sf "python${PB_PYVER}" "${R}/usr/bin/python3"
# the standard library, trimmed; its compiled modules' libraries
tar -C /usr/lib -cf - --exclude="python${PB_PYVER}/test" --exclude="python${PB_PYVER}/config-*" \
  --exclude="python${PB_PYVER}/lib2to3" --exclude="python${PB_PYVER}/ensurepip" \
  --exclude="python${PB_PYVER}/idlelib" --exclude="python${PB_PYVER}/tkinter" \
  --exclude="python${PB_PYVER}/turtledemo" --exclude="python${PB_PYVER}/pydoc_data" \
  --exclude='*/unittest/test' --exclude='*/ctypes/test' --exclude='*/sqlite3/test' \
  --exclude='*/lib-dynload/_test*' --exclude='*/lib-dynload/xx*' --exclude='*.opt-?.pyc' \
  "python${PB_PYVER}" | tar -C "${R}/usr/lib" -xf -
for so in "${R}/usr/lib/python${PB_PYVER}"/lib-dynload/*.so; do
  for lib in $(ldd "${so}" 2>/dev/null | grep -o '/[^ ]*'); do
    [[ -e ${R}${lib} ]] || { mkdir -p "${R}$(dirname "${lib}")"; cp -L "${lib}" "${R}${lib}"; }
  done
done
# ansible-core and what it imports (Debian's python3 reads /usr/lib/python3/dist-packages)
PB_DIST=${R}/usr/lib/python3/dist-packages
mkdir -p "${PB_DIST}"
# (with their dist-info: ansible reads the versions of jinja2 and others from the metadata)
(cd "${PB_SITE}" && tar -cf - --exclude='*.opt-?.pyc' ansible ansible_core-*.dist-info jinja2 jinja2-*.dist-info \
  markupsafe markupsafe-*.dist-info yaml _yaml pyyaml-*.dist-info cryptography cryptography-*.dist-info \
  cffi cffi-*.dist-info _cffi_backend.*.so resolvelib resolvelib-*.dist-info packaging packaging-*.dist-info) |
  tar -C "${PB_DIST}" -xf -
find "${PB_DIST}" -name '*.so' -exec ldd {} + 2>/dev/null | grep -o ' /[^ ]*' | sort -u | while read -r lib; do
  [[ -e ${R}${lib} ]] || { mkdir -p "${R}$(dirname "${lib}")"; cp -L "${lib}" "${R}${lib}"; }
done
for b in ansible-playbook ansible; do
  printf '#!/usr/bin/python3\nimport sys\nfrom ansible.cli.%s import main\nsys.exit(main())\n' \
    "$([[ ${b} == ansible ]] && echo adhoc || echo playbook)" >"${R}/usr/bin/${b}"
  chmod 0755 "${R}/usr/bin/${b}"
done
# OpenSSH: the client (and sftp, scp: Ansible copies files with them), the server (privilege
# separation as the user sshd, in /run/sshd), keys
for b in /usr/bin/ssh /usr/bin/sftp /usr/bin/scp /usr/sbin/sshd /usr/bin/ssh-keygen; do copy_bin "$(readlink -f "${b}")"; done
grep -q '^sshd:' "${R}/etc/passwd" || echo 'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin' >>"${R}/etc/passwd"
grep -q '^nogroup:' "${R}/etc/group" || echo 'nogroup:x:65534:' >>"${R}/etc/group"
mkdir -p "${R}/usr/local/lib" "${R}/var/lib" "${R}/root" "${R}/etc/ssh"
# Ansible refuses a locale that is not UTF-8: glibc's C.UTF-8 (not built into glibc 2.36)
mkdir -p "${R}/usr/lib/locale"
cp -r /usr/lib/locale/C.utf8 "${R}/usr/lib/locale/"
# overlayfs (a module in Debian's kernel), for the hosts' private /etc, /usr/local/lib, /var/lib
# and /root; the scenario falls back to tmpfs copies when the kernel refuses the overlay
modprobe -d "${KROOT}" -S "${KVER}" --show-depends overlay 2>/dev/null | awk '$1 == "insmod" { print $2 }' |
  while read -r f; do
    rel=${f#"${KROOT}/lib/modules/${KVER}"/}
    mkdir -p "${R}/lib/modules/${KVER}/$(dirname "${rel}")"
    cp "${f}" "${R}/lib/modules/${KVER}/${rel}"
  done
