# install.ps1: install pyshim for this user on Windows (PowerShell 5.1 or 7).
#
#   irm https://github.com/OWNER/NAME/releases/latest/download/install.ps1 | iex
#   .\install.ps1 [-Version V] [-From FILE.zip] [-BinDir DIR]
#
# The same steps as install.sh: download the release's SHA256SUMS and
# pyshim-V-windows-x86_64.zip (or take -From), check the zip's SHA-256,
# unpack it in a temporary directory and run its `pyshim.exe install`, which
# does the real work (copies itself to %LOCALAPPDATA%\pyshim\bin, adds that
# to the user Path and the PowerShell profiles; `pyshim uninstall` undoes it).
param(
    [string]$Version = "",
    [string]$From = "",
    [string]$BinDir = ""
)
$ErrorActionPreference = "Stop"

# The GitHub repository the releases come from.
$Repo = if ($env:PYSHIM_REPO) { $env:PYSHIM_REPO } else { "pyshim/pyshim" }

# Errors throw instead of `exit`: run through `irm ... | iex`, exit would
# close the user's PowerShell window.
function Fail([string]$msg, [string]$hint) {
    Write-Host "pyshim-install: error: $msg"
    if ($hint) { Write-Host "pyshim-install: hint: $hint" }
    throw "pyshim-install: $msg"
}

if (-not [Environment]::Is64BitOperatingSystem) {
    Fail "pyshim is built for 64-bit Windows only" "build it from source (README.md)"
}

$tmp = Join-Path ([IO.Path]::GetTempPath()) ("pyshim-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    if ($From) {
        $zip = (Resolve-Path $From).Path
        $name = Split-Path $zip -Leaf
        $sums = Join-Path (Split-Path $zip) "SHA256SUMS"
        if (-not (Test-Path $sums)) {
            Write-Host "pyshim-install: warning: no SHA256SUMS beside $zip: its hash is not checked"
            $sums = ""
        }
    } else {
        $base = if ($Version) {
            "https://github.com/$Repo/releases/download/v$($Version.TrimStart('v'))"
        } else {
            "https://github.com/$Repo/releases/latest/download"
        }
        $sums = Join-Path $tmp "SHA256SUMS"
        Invoke-WebRequest -UseBasicParsing -Uri "$base/SHA256SUMS" -OutFile $sums
        $line = Select-String -Path $sums -Pattern '^[0-9a-f]{64}  (pyshim-[0-9][^ ]*-windows-x86_64\.zip)$' |
            Select-Object -First 1
        if (-not $line) { Fail "the release has no pyshim for windows-x86_64" "" }
        $name = $line.Matches[0].Groups[1].Value
        $zip = Join-Path $tmp $name
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$name" -OutFile $zip
    }
    if ($name -notmatch '^pyshim-.+-windows-x86_64\.zip$') {
        Fail "'$name' is not a pyshim release for windows-x86_64" ""
    }
    if ($sums) {
        $want = (Select-String -Path $sums -SimpleMatch "  $name" |
            Select-Object -First 1).Line -replace '  .*$', ''
        if (-not $want) { Fail "SHA256SUMS does not list '$name'" "" }
        $got = (Get-FileHash -Algorithm SHA256 -Path $zip).Hash.ToLower()
        if ($got -ne $want) {
            Fail "SHA-256 mismatch for '$name': expected $want, got $got" "the download is damaged or was altered: nothing was installed"
        }
        Write-Host "pyshim-install: SHA-256 checked: $got"
    }
    Expand-Archive -Path $zip -DestinationPath (Join-Path $tmp "x")
    $exe = Join-Path (Join-Path (Join-Path $tmp "x") ($name -replace '\.zip$', '')) "pyshim.exe"
    if (-not (Test-Path $exe)) { Fail "'$name' holds no pyshim.exe" "" }
    # pyshim.exe copies itself into its bin dir: the unpacked one goes away.
    if ($BinDir) { & $exe install --bin-dir $BinDir } else { & $exe install }
    if ($LASTEXITCODE -ne 0) { Fail "pyshim.exe install failed (exit $LASTEXITCODE)" "" }
} finally {
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
