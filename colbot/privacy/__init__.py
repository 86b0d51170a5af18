"""What colbot keeps about people, written down for the city's DPO and for young people."""
