# Homebrew formula, built from the source tarball (scripts/release.sh fills
# the version and hash into OUTDIR/pyshim.rb).
class Pyshim < Formula
  desc "Python and pip that pick the project's venv and shared libraries"
  homepage "https://github.com/@REPO@"
  url "https://github.com/@REPO@/releases/download/v@VERSION@/pyshim-@VERSION@.tar.gz"
  sha256 "@SHA256_SOURCE@"
  license "MIT"

  depends_on "cmake" => :build
  depends_on "pkgconf" => :build
  depends_on "cjson"

  def install
    system "cmake", "-S", ".", "-B", "build", "-DPYSHIM_TESTS=OFF",
           "-DCMAKE_BUILD_TYPE=Release", *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  def caveats
    <<~EOS
      Run `pyshim install` once: it links python and pip into
      ~/.local/share/pyshim/bin and puts that directory first on PATH in
      ~/.zprofile, ~/.zshrc, ~/.bash_profile and ~/.bashrc.
      Run `pyshim uninstall` before `brew uninstall pyshim`.
    EOS
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/pyshim version")
  end
end
