"""The guest shell run natively (docs/userland.md "sh"): pipelines, redirection,
quotes, variables, $?, cd, exit, scripts, comments, globbing, driven by -c, a file
and a pipe on stdin."""

from __future__ import annotations

from pathlib import Path

from userland_util import Userland


def test_pipeline_and_redirection(userland: Userland, tmp_path: Path) -> None:
    r = userland.sh("echo one two > a; echo three >> a; cat < a | wc -l > n; cat n; "
                    "cat a | head -n 1 | wc -w", cwd=tmp_path)
    assert r.rc == 0, r.err
    assert r.out == "2\n2\n"
    assert (tmp_path / "a").read_text() == "one two\nthree\n"


def test_quotes_and_variables(userland: Userland) -> None:
    r = userland.sh("x='a  b'; echo $x; echo \"$x\"; echo '$x' \"[${x}]\" \\$x; "
                    "y=\"in \\\"dq\\\"\"; echo \"$y\"; echo a\\ b")
    assert r.rc == 0, r.err
    assert r.out == "a b\na  b\n$x [a  b] $x\nin \"dq\"\na b\n"


def test_status_and_lists(userland: Userland) -> None:
    r = userland.sh("false; echo $?; true; echo $?; nosuchcmd; echo $?; "
                    "false && echo no || echo yes; true || echo no && echo and")
    assert r.out == "1\n0\n127\nyes\nand\n"
    assert "nosuchcmd: not found" in r.err


def test_export_and_prefix_assignment(userland: Userland) -> None:
    r = userland.sh("A=1; sh -c 'echo [$A]'; export A; sh -c 'echo [$A]'; "
                    "B=2 sh -c 'echo [$B]'; echo [$B]; export C=3; sh -c 'echo $C'")
    assert r.out == "[]\n[1]\n[2]\n[]\n3\n"


def test_cd_pwd_exit(userland: Userland, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    r = userland.sh(f"cd {tmp_path}/d; pwd; cd ..; pwd; cd nope; echo $?; exit 7; echo no")
    assert r.rc == 7
    assert r.out == f"{tmp_path}/d\n{tmp_path}\n1\n"
    assert "cd: nope" in r.err


def test_script_file_args_comments(userland: Userland, tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text("# a comment\necho $# $1 \"$2\"  # trailing\n"
                      "echo line \\\ncontinued\nexit 4\necho unreachable\n")
    r = userland.run("sh", str(script), "x", "y z")
    assert r.rc == 4, r.err
    assert r.out == "2 x y z\nline continued\n"


def test_executable_script_without_shebang_runs_in_sh(userland: Userland,
                                                      tmp_path: Path) -> None:
    s = tmp_path / "prog"
    s.write_text("echo from script $1\n")
    s.chmod(0o755)
    r = userland.sh("./prog arg", cwd=tmp_path)
    assert (r.rc, r.out) == (0, "from script arg\n")


def test_stdin_pipe_shared_with_children(userland: Userland) -> None:
    # the shell reads its pipe one byte at a time: `head -n 1` gets the next line
    r = userland.run("sh", stdin="head -n 1\nthis line is data\necho after $?\n")
    assert r.rc == 0, r.err
    assert r.out == "this line is data\nafter 0\n"
    assert r.err == ""  # no prompt when stdin is not a tty


def test_glob(userland: Userland, tmp_path: Path) -> None:
    for n in ("b.txt", "a.txt", "c.log", ".hidden.txt"):
        (tmp_path / n).write_text(n)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("")
    r = userland.sh("echo *.txt; echo '*.txt'; echo s*/*.txt; echo [ab].txt; echo none*", cwd=tmp_path)
    assert r.out == "a.txt b.txt\n*.txt\nsub/x.txt\na.txt b.txt\nnone*\n"


def test_fd_redirections(userland: Userland, tmp_path: Path) -> None:
    r = userland.sh("ls /nonexistent 2> err; echo $?; ls /nonexistent > both 2>&1; "
                    "echo out >&2", cwd=tmp_path)
    assert r.out == "2\n"
    assert r.err == "out\n"
    assert "cannot access '/nonexistent'" in (tmp_path / "err").read_text()
    assert "cannot access" in (tmp_path / "both").read_text()


def test_builtin_redirection_restores_fds(userland: Userland, tmp_path: Path) -> None:
    r = userland.sh("echo to-file > f; echo to-stdout; cd / > g; echo again", cwd=tmp_path)
    assert r.out == "to-stdout\nagain\n"
    assert (tmp_path / "f").read_text() == "to-file\n"


def test_syntax_errors_are_reported(userland: Userland) -> None:
    r = userland.sh("echo 'unterminated")
    assert r.rc == 2 and "unterminated" in r.err
    r = userland.sh("| wc")
    assert r.rc == 2 and "syntax error" in r.err


def test_killed_child_status(userland: Userland) -> None:
    r = userland.sh("sh -c 'kill -9 $$'; echo $?")
    assert r.out == "137\n"


def test_dash_c_multiline(userland: Userland) -> None:
    r = userland.sh("echo one\n\n  # comment\nfalse &&\necho two\necho three")
    assert (r.rc, r.out, r.err) == (0, "one\nthree\n", "")
