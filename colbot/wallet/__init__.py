"""One tap into a wallet: a VC-API exchange that hands a badge to the wallet's own DID."""
